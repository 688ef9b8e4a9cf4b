/** Pure converters between the two protocols, and the one stateful single-use stream converter. */
package dev.claudeproxy.convert;
