/** The gateway's settings, read once through one lookup seam (JNDI, context parameters, environment). */
package dev.claudeproxy.config;
