package dev.claudeproxy.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The usage ledger and the policy: where spend is kept, what it is held against, who may read it.
 *
 * @param ledger whether exchanges are recorded at all ({@code LEDGER}, on by default)
 * @param dataSource the JNDI name of the server's DataSource ({@code LEDGER_DATASOURCE})
 * @param dataSourceRequired whether that name was set, and so must be bound
 * @param jdbcUrl a JDBC URL used when no DataSource is bound ({@code LEDGER_JDBC_URL}); else the embedded H2 file
 * @param retentionDays how long each exchange's own row is kept ({@code LEDGER_RETENTION_DAYS})
 * @param refuseWhenStale whether budgets refuse when the counters cannot be read ({@code LEDGER_OUTAGE=refuse}),
 *     rather than serve on the last ones read
 * @param policyFile the policy file, watched and reloaded ({@code POLICY_FILE})
 * @param admins the users and groups (or server roles) who may read everyone's usage ({@code USAGE_ADMINS})
 */
public record Usage(boolean ledger, String dataSource, boolean dataSourceRequired, Optional<String> jdbcUrl,
                    int retentionDays, boolean refuseWhenStale, Optional<Path> policyFile, List<String> admins) {

    public Usage {
        admins = List.copyOf(admins);
    }
}
