package dev.claudeproxy.identity;

import java.util.List;

/**
 * Who a request is from, as the identity provider signed it.
 *
 * @param user the user's name as the token gives it (its email, else username, else subject)
 * @param groups the groups the token places the user in, none when it names none
 */
public record Identity(String user, List<String> groups) {

    public Identity {
        groups = List.copyOf(groups);
    }
}
