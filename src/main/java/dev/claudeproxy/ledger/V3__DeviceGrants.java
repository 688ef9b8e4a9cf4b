package dev.claudeproxy.ledger;

import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * The sign-ins under way, shared by the nodes ({@link SharedGrants}): sealed values under keyed
 * hashes of their codes, each with its version and its expiry (ten minutes at most).
 */
public final class V3__DeviceGrants extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        try (Statement statement = context.getConnection().createStatement()) {
            statement.execute("CREATE TABLE device_grant ("
                    + " grant_key VARCHAR(100) NOT NULL PRIMARY KEY,"
                    + " sealed VARCHAR(" + SharedGrants.MAX_VALUE_CHARS + ") NOT NULL,"
                    + " row_version BIGINT NOT NULL,"
                    + " expires_at BIGINT NOT NULL)");
            statement.execute("CREATE INDEX device_grant_expires_at ON device_grant (expires_at)");
        }
    }
}
