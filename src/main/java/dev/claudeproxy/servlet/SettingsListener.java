package dev.claudeproxy.servlet;

import dev.claudeproxy.config.Lookup;
import dev.claudeproxy.config.Settings;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/**
 * Reads the settings once, as the webapp starts. An invalid value throws here, which fails the
 * deployment itself on Tomcat and Jetty (a failing servlet {@code init} would only make the
 * servlet unavailable inside a running webapp), with a message naming the setting.
 */
public final class SettingsListener implements ServletContextListener {

    static final String ATTRIBUTE = Settings.class.getName();

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        try {
            context.setAttribute(ATTRIBUTE, Settings.load(Lookup.standard(context::getInitParameter)));
        } catch (IllegalArgumentException invalid) {
            throw new IllegalStateException("claude-proxy configuration is invalid: " + invalid.getMessage(), invalid);
        }
    }

    static Settings of(ServletContext context) {
        Object settings = context.getAttribute(ATTRIBUTE);
        if (settings == null) {
            throw new IllegalStateException(SettingsListener.class.getName() + " is not registered in web.xml");
        }
        return (Settings) settings;
    }
}
