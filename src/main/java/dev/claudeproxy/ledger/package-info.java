/** Who spent what: the ledger's database (its schema and migrations, one batched writer, the counters budgets read, the usage queries); the only package that touches the database. */
package dev.claudeproxy.ledger;
