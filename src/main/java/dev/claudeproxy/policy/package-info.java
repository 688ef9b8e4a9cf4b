/** Who may use what and how much: the operator's policy file, read and validated, and its pure decisions on a caller. */
package dev.claudeproxy.policy;
