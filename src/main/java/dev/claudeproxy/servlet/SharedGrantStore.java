package dev.claudeproxy.servlet;

import dev.claudeproxy.identity.GrantStore;
import dev.claudeproxy.ledger.Ledger;
import dev.claudeproxy.ledger.SharedGrants;
import java.time.Instant;
import java.util.Optional;

/** The sign-ins under way in the ledger's database: the sign-in's store over the ledger's table. */
final class SharedGrantStore implements GrantStore {

    private final SharedGrants table;

    SharedGrantStore(SharedGrants table) {
        this.table = table;
    }

    /** One call to the database, its outage the sign-in's {@link GrantStore.Unavailable}. */
    private interface Call<T> {
        T on(SharedGrants table) throws Ledger.Unavailable;
    }

    private <T> T call(Call<T> call) {
        try {
            return call.on(table);
        } catch (Ledger.Unavailable unavailable) {
            throw new GrantStore.Unavailable(unavailable.getMessage(), unavailable);
        }
    }

    @Override
    public boolean add(String name, String value, Instant expires) {
        return call(table -> table.add(name, value, expires));
    }

    @Override
    public Optional<Held> get(String name, Instant now) {
        return call(table -> table.get(name, now)).map(held -> new Held(held.value(), held.version()));
    }

    @Override
    public boolean replace(String name, long version, String value) {
        return call(table -> table.replace(name, version, value));
    }

    @Override
    public boolean remove(String name, long version) {
        return call(table -> table.remove(name, version));
    }

    @Override
    public void remove(String name) {
        call(table -> {
            table.remove(name);
            return null;
        });
    }

    @Override
    public int count(String prefix, Instant now) {
        return call(table -> table.count(prefix, now));
    }

    @Override
    public void purge(Instant now) {
        call(table -> {
            table.purge(now);
            return null;
        });
    }
}
