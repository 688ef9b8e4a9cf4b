package dev.claudeproxy.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonPrefixTest {

    /** Fed in pieces of every size, each text reads the same: valid so far, and complete or not. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "`{\"a\": \"partial te`|true|false",
        "`{\"path\":\"/a.txt\",\"n\":[1,-2.5e3,true,null,{}]}`|true|true",
        "`  {\"a\":1}  `|true|true",
        "`{}`|true|true",
        "`{\"caf\u00e9\":\"\u2603 \\u00e9\"}`|true|true",
        "`{\"a\":01}`|false|false",
        "`{\"a\":1-2}`|false|false",
        "`{\"a\":1.}`|false|false",
        "`{\"a\" 1}`|false|false",
        "`{\"a\":tru}`|false|false",
        "`{\"a\":1}}`|false|false",
        "`{\"a\":1} {}`|false|false",
        "`{\"location\": \"San Francisco\"}3`|false|false",
        "`{\"a\":1}\n\t `|true|true",
        "`{\"a\":1} 3`|false|false",
        "`{\"a\":1}\"`|false|false",
        "`[1]`|false|false",
        "`\"text\"`|false|false",
        "`{'a':1}`|false|false",
        "`{\"a\":\"\\x\"}`|false|false",
        "`{\"a\":NaN}`|false|false",
    })
    void readsEveryTextTheSameWhateverItsPieces(String text, boolean valid, boolean complete) {
        for (int piece = 1; piece <= text.length(); piece++) {
            JsonPrefix prefix = new JsonPrefix();
            for (int at = 0; at < text.length(); at += piece) {
                prefix.feed(text.substring(at, Math.min(text.length(), at + piece)));
            }
            assertEquals(List.of(valid, complete), List.of(prefix.valid(), prefix.complete()), "in pieces of " + piece);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {"`{\"a\":1}x`|7", "`{\"a\":1}3`|7", "`{\"a\":[}`|6", "`{\"a\":\"\u0001\"}`|6"})
    void anInvalidPrefixIsCaughtAtTheCharacterThatSpoilsIt(String text, int spoiledAt) {
        JsonPrefix prefix = new JsonPrefix();
        prefix.feed(text.substring(0, spoiledAt));
        assertTrue(prefix.valid(), "valid before");
        prefix.feed(text.substring(spoiledAt, spoiledAt + 1));
        assertEquals(false, prefix.valid(), "invalid at the character");
    }
}
