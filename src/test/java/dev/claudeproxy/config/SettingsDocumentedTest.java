package dev.claudeproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every setting the code reads is in the README table, the Tomcat kit and .env.example, and nothing else is. */
class SettingsDocumentedTest {

    private static Set<String> settingNames() throws IllegalAccessException {
        Set<String> names = new TreeSet<>();
        for (Field field : Settings.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                names.add((String) field.get(null));
            }
        }
        for (Tier tier : Tier.values()) {
            names.add(tier.baseUrlSetting());
            names.add(tier.modelSetting());
            names.add(tier.keySetting());
            names.add(tier.fallbackSetting());
            names.add(tier.clientKeySetting());
        }
        return names;
    }

    @Test
    void everySettingIsDocumentedInEveryPlaceADeployerLooks() throws Exception {
        Set<String> names = settingNames();
        String configuration = Files.readString(Path.of("docs/configuration.md"));
        String kit = Files.readString(Path.of("tomcat/claude-proxy.xml"));
        String env = Files.readString(Path.of(".env.example"));
        for (String name : names) {
            assertTrue(configuration.contains("`" + name + "`"), name + " in docs/configuration.md's table");
            assertTrue(kit.contains("name=\"" + name + "\""), name + " in tomcat/claude-proxy.xml");
            assertTrue(env.contains("\n" + name + "="), name + " in .env.example");
        }
        Set<String> inKit = new TreeSet<>();
        Matcher entry = Pattern.compile("<Environment name=\"([A-Z_]+)\"").matcher(kit);
        while (entry.find()) {
            inKit.add(entry.group(1));
        }
        assertEquals(names, inKit, "the kit declares exactly the settings the code reads");
    }

    /** The reverse: every setting the configuration table and .env.example name is one the code reads. */
    @Test
    void noDocumentedSettingIsOneTheCodeDoesNotRead() throws Exception {
        Set<String> names = settingNames();
        Set<String> documented = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `([A-Z][A-Z0-9_]+)`").matcher(Files.readString(Path.of("docs/configuration.md")));
        while (row.find()) {
            documented.add(row.group(1));
        }
        Matcher line = Pattern.compile("(?m)^([A-Z][A-Z0-9_]+)=").matcher(Files.readString(Path.of(".env.example")));
        Set<String> inEnv = new TreeSet<>();
        while (line.find()) {
            inEnv.add(line.group(1));
        }
        documented.removeAll(names);
        inEnv.removeAll(names);
        inEnv.removeAll(Set.of("PORT", "BIND_ADDRESS")); // the local run's own, read by DevServer
        assertEquals(Set.of(), documented, "documented in docs/configuration.md but read by no code");
        assertEquals(Set.of(), inEnv, "in .env.example but read by no code");
    }

    /**
     * A descriptor copied as it is must send no traffic anywhere: a preset route would carry every
     * user's own key to a host they never chose (issue 11, point 8).
     */
    @Test
    void theShippedKitAndEnvExampleSetNoRouteAndNoKey() throws Exception {
        String kit = Files.readString(Path.of("tomcat/claude-proxy.xml"));
        String env = Files.readString(Path.of(".env.example"));
        Set<String> routeSettings = new TreeSet<>(Set.of(Settings.UPSTREAM_KEYS_BY_HOST, Settings.CLIENT_KEYS,
                Settings.THINKING_SIGNATURE_SECRET));
        for (Tier tier : Tier.values()) {
            routeSettings.addAll(Set.of(tier.baseUrlSetting(), tier.modelSetting(), tier.keySetting(), tier.fallbackSetting()));
        }
        for (String name : routeSettings) {
            Matcher value = Pattern.compile("<Environment name=\"" + name + "\"[^>]*value=\"([^\"]*)\"").matcher(kit);
            assertTrue(value.find(), name + " in the kit");
            assertEquals("", value.group(1), name + " ships empty in tomcat/claude-proxy.xml");
            Matcher line = Pattern.compile("(?m)^" + name + "=(.*)$").matcher(env);
            assertTrue(line.find(), name + " in .env.example");
            assertEquals("", line.group(1).strip(), name + " ships empty in .env.example");
        }
    }
}
