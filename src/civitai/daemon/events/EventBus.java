package civitai.daemon.events;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Delivers events to subscribers on the publishing thread. Subscribers must be quick and must not
 * block (the publisher is a download). A subscriber that throws is reported and does not stop the
 * others. Thread-safe.
 */
public final class EventBus {
    private final List<Consumer<Event>> subscribers = new CopyOnWriteArrayList<>();
    private final Consumer<RuntimeException> onSubscriberError;

    public EventBus(Consumer<RuntimeException> onSubscriberError) {
        this.onSubscriberError = onSubscriberError;
    }

    public void subscribe(Consumer<Event> subscriber) {
        subscribers.add(subscriber);
    }

    public void publish(Event event) {
        for (Consumer<Event> s : subscribers) {
            try {
                s.accept(event);
            } catch (RuntimeException e) {
                onSubscriberError.accept(e);
            }
        }
    }
}
