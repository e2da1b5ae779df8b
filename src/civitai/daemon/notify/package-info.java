/**
 * The notifications events cause: the signed webhook, Telegram, ntfy and Discord targets (one
 * sealed {@code Target} family, each formatting its own request) behind one persistent, retried
 * delivery log and its sender. Subscribes to the {@code events} bus; imports {@code events},
 * {@code store} (its failures), {@code store.deliveries} (the log), {@code store.jobs} (the jobs a
 * payload describes), {@code config} and {@code log}, and nothing imports it but the root and
 * {@code http}'s webhook routes.
 */
package civitai.daemon.notify;
