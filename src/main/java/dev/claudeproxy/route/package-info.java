/** From request path, requested model and settings to the upstream a request goes to. */
package dev.claudeproxy.route;
