package dev.claudeproxy.identity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Who a token's claims say the user is: the first user claim present, and the groups at a dotted path. */
final class Claims {

    private Claims() {
    }

    /** @return empty when none of {@code userClaims} holds a name */
    static Optional<Identity> identity(Map<String, Object> claims, List<String> userClaims, String groupsClaim) {
        return userClaims.stream().map(claims::get).filter(String.class::isInstance).map(String.class::cast)
                .filter(name -> !name.isBlank()).findFirst()
                .map(user -> new Identity(user, groups(claims, groupsClaim)));
    }

    /** The groups at a dotted path of the claims: a list of names, or one name. */
    private static List<String> groups(Map<String, Object> claims, String path) {
        Object value = claims;
        for (String step : path.split("\\.")) {
            if (!(value instanceof Map<?, ?> object)) {
                return List.of();
            }
            value = object.get(step);
        }
        List<String> groups = new ArrayList<>();
        if (value instanceof List<?> names) {
            names.stream().filter(String.class::isInstance).map(String.class::cast).forEach(groups::add);
        } else if (value instanceof String name) {
            groups.add(name);
        }
        return groups;
    }
}
