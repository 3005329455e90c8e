package dev.claudedataingestion.pipeline.notify;

import dev.claudedataingestion.config.Webhook;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Posts a message to an incoming webhook: up to three attempts a second or two apart while the webhook cannot be
 * reached or answers 429 or 5xx, about half a minute at most. The URL is a secret: no message names more of it than
 * its host.
 */
public final class HttpWebhook implements Notifier.Poster {

    private static final int ATTEMPTS = 3;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Webhook webhook;
    private final HttpClient client;
    private final Duration pause;

    public HttpWebhook(Webhook webhook) {
        this(webhook, Duration.ofSeconds(1));
    }

    HttpWebhook(Webhook webhook, Duration pause) {
        this.webhook = webhook;
        this.pause = pause;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public void post(Notification notification) {
        String payload = notification.payload(webhook.slack());
        HttpRequest request = HttpRequest.newBuilder(webhook.url()).timeout(TIMEOUT)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8)).build();
        String failure = "";
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return;
                }
                failure = "answered " + status + excerpt(response.body());
                if (webhook.url().getRawPath().length() > 1) {
                    failure = failure.replace(webhook.url().getRawPath(), "/…");
                }
                if (status != 429 && status / 100 != 5) {
                    break;
                }
            } catch (IOException e) {
                // The exception's own text may hold the URL; its type says enough.
                failure = "could not be reached (" + e.getClass().getSimpleName() + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NotifyException("interrupted while posting to the webhook at " + webhook.display());
            }
            if (attempt < ATTEMPTS) {
                sleep(pause.multipliedBy(attempt));
            }
        }
        throw new NotifyException("the webhook at " + webhook.display() + " " + failure + "; nothing was recorded as"
                + " sent, so the next notify sends it again. Check NOTIFY_WEBHOOK_URL");
    }

    /** The start of an answer's body, on one line: Slack says why there ({@code invalid_token}, …). */
    private static String excerpt(String body) {
        String line = body == null ? "" : body.replaceAll("\\s+", " ").strip();
        return line.isEmpty() ? "" : ": " + (line.length() > 200 ? line.substring(0, 200) + "…" : line);
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
