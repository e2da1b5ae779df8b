/**
 * The notification delivery log ({@code webhook_deliveries}): every delivery of an event to a
 * webhook, Telegram, ntfy or Discord target, pending ones kept across a restart, outcomes kept
 * for {@code GET /api/notifications}. Imports {@code store} alone; {@code notify} sends what it
 * records.
 */
package civitai.daemon.store.deliveries;
