package dev.claudedataingestion.analysis.notify;

import dev.claudedataingestion.config.Webhook;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Posts a message to an incoming webhook, at most once per message as far as this side can know. It is tried again,
 * up to three attempts a second or two apart, only when it cannot have arrived: the webhook could not be reached,
 * the connection broke before the whole message was handed over, or it answered 429 or 5xx. Once the whole message
 * was handed over and no answer came within {@link #TIMEOUT} (Slack answers within a second or two), it may have
 * arrived: that is a {@link NotifyException#deliveryUnknown() delivery unknown}, never sent again by this run. The
 * URL is a secret: no message names more of it than its host.
 */
public final class HttpWebhook implements Notifier.Poster {

    private static final int ATTEMPTS = 3;
    /** How long an answer is waited for once the message was sent. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Webhook webhook;
    private final HttpClient client;
    private final Duration pause;
    private final Duration timeout;

    public HttpWebhook(Webhook webhook) {
        this(webhook, Duration.ofSeconds(1), TIMEOUT);
    }

    HttpWebhook(Webhook webhook, Duration pause, Duration timeout) {
        this.webhook = webhook;
        this.pause = pause;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String payload(Notification notification) {
        return notification.payload(webhook.slack());
    }

    @Override
    public void post(String payload) {
        String failure = "";
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            AtomicBoolean handedOver = new AtomicBoolean();
            HttpRequest request = HttpRequest.newBuilder(webhook.url()).timeout(timeout)
                    .header("Content-Type", "application/json; charset=utf-8")
                    .POST(new Tracked(HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8),
                            handedOver)).build();
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
                if (handedOver.get() && !(e instanceof HttpConnectTimeoutException)) {
                    throw NotifyException.deliveryUnknown("the webhook at " + webhook.display() + " took the whole"
                            + " message but gave no answer (" + e.getClass().getSimpleName() + " after at most "
                            + timeout.toSeconds() + " s), so it may have arrived: it was recorded as delivery unknown"
                            + " and is not sent again. See that it arrived; 'notify --resend-unknown' sends it again");
                }
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

    /** A body that says once the client has taken all of it, to send. */
    private record Tracked(HttpRequest.BodyPublisher body, AtomicBoolean handedOver)
            implements HttpRequest.BodyPublisher {

        @Override
        public long contentLength() {
            return body.contentLength();
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            body.subscribe(new Flow.Subscriber<ByteBuffer>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    subscriber.onSubscribe(subscription);
                }

                @Override
                public void onNext(ByteBuffer item) {
                    subscriber.onNext(item);
                }

                @Override
                public void onError(Throwable throwable) {
                    subscriber.onError(throwable);
                }

                @Override
                public void onComplete() {
                    handedOver.set(true);
                    subscriber.onComplete();
                }
            });
        }
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
