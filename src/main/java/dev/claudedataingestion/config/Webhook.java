package dev.claudedataingestion.config;

import java.net.URI;

/**
 * Where {@code notify} posts: an incoming webhook, a secret (whoever has the URL may post to the channel), so it is
 * shown only as its scheme and host. {@code slack}: Slack's message format, else plain JSON.
 */
public record Webhook(URI url, boolean slack) {

    /** The URL as it may be shown: {@code https://hooks.slack.com/…}. */
    public String display() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + "/…";
    }

    @Override
    public String toString() {
        return display();
    }
}
