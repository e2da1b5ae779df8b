package civitai.daemon.store.deliveries;

import civitai.daemon.store.Database;
import civitai.daemon.store.Sql;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Notification deliveries (webhooks, Telegram, ntfy, Discord) in SQLite, so a pending one survives
 * a restart and every outcome can be looked at ({@code GET /api/notifications}). Thread-safe
 * (through {@link Database}).
 */
public final class WebhookStore {
    /**
     * One delivery of one event to one target. {@code state}: pending, delivered or failed.
     * {@code target} is the target's name (null for rows from before targets had names);
     * {@code url} where it goes (a webhook's URL, else the service endpoint without its secrets).
     */
    public record Delivery(long id, String target, String url, String event, Long jobId,
            String payload, String state, int attempts, Instant nextAttemptAt, Integer lastStatus,
            String lastError, Instant createdAt, Instant deliveredAt) {}

    /** Where a new delivery goes: the target's name and its URL as recorded. */
    public record Recipient(String target, String url) {}

    /** How many deliveries of one target are in each state. */
    public record Tally(long pending, long delivered, long failed) {}

    private static final String COLUMNS = "id, target, url, event, job_id, payload, state,"
            + " attempts, next_attempt_at, last_status, last_error, created_at, delivered_at";

    private final Database db;
    private final Clock clock;

    public WebhookStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public void add(List<Recipient> to, String event, Long jobId, String payload) {
        String now = Instant.now(clock).toString();
        db.transaction(c -> {
            for (Recipient r : to) {
                Sql.exec(c, "INSERT INTO webhook_deliveries (target, url, event, job_id, payload,"
                        + " state, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?,"
                        + " 'pending', ?, ?)", r.target(), r.url(), event, jobId, payload, now,
                        now);
            }
            return null;
        });
    }

    /**
     * Records a delivery already tried once (a test message): delivered, or failed with no retry.
     */
    public long addTried(Recipient to, String event, String payload, Integer status, String error) {
        String now = Instant.now(clock).toString();
        boolean ok = error == null;
        return db.transaction(c -> {
            Sql.exec(c, "INSERT INTO webhook_deliveries (target, url, event, payload, state,"
                    + " attempts, next_attempt_at, last_status, last_error, created_at,"
                    + " delivered_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)", to.target(),
                    to.url(), event, payload, ok ? "delivered" : "failed", now, status, error, now,
                    ok ? now : null);
            try (PreparedStatement s = c.prepareStatement("SELECT last_insert_rowid()");
                    ResultSet rs = s.executeQuery()) {
                return rs.getLong(1);
            }
        });
    }

    /** Recent deliveries of one target, newest first. */
    public List<Delivery> recent(String target, int limit) {
        return query("SELECT " + COLUMNS
                + " FROM webhook_deliveries WHERE target = ? ORDER BY id DESC LIMIT ?",
                target, limit);
    }

    /** Pending, delivered and failed counts of one target. */
    public Tally tally(String target) {
        return db.run(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT sum(state = 'pending'),"
                    + " sum(state = 'delivered'), sum(state = 'failed') FROM webhook_deliveries"
                    + " WHERE target = ?")) {
                Sql.bind(s, target);
                try (ResultSet rs = s.executeQuery()) {
                    return new Tally(rs.getLong(1), rs.getLong(2), rs.getLong(3));
                }
            }
        });
    }

    /** Pending deliveries whose time has come, oldest first. */
    public List<Delivery> due(int limit) {
        return query("SELECT " + COLUMNS + " FROM webhook_deliveries WHERE state = 'pending'"
                + " AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
                Instant.now(clock).toString(), limit);
    }

    /** When the next pending delivery is due, or null when none is pending. */
    public Instant nextDue() {
        return db.run(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT min(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending'");
                    ResultSet rs = s.executeQuery()) {
                String next = rs.getString(1);
                return next == null ? null : Instant.parse(next);
            }
        });
    }

    public List<Delivery> recent(int limit) {
        return query("SELECT " + COLUMNS + " FROM webhook_deliveries ORDER BY id DESC LIMIT ?",
                limit);
    }

    public void delivered(long id, int status) {
        Instant now = Instant.now(clock);
        db.run(c -> Sql.exec(c, "UPDATE webhook_deliveries SET state = 'delivered',"
                + " attempts = attempts + 1, last_status = ?, last_error = NULL,"
                + " delivered_at = ? WHERE id = ?", status, now.toString(), id));
    }

    /** Records a failed attempt; {@code retryAt} null means no attempt is left. */
    public void attemptFailed(long id, Integer status, String error, Instant retryAt) {
        db.run(c -> Sql.exec(c, "UPDATE webhook_deliveries SET attempts = attempts + 1,"
                + " last_status = ?, last_error = ?, state = ?, next_attempt_at = coalesce(?,"
                + " next_attempt_at) WHERE id = ?", status, error,
                retryAt == null ? "failed" : "pending",
                retryAt == null ? null : retryAt.toString(), id));
    }

    private List<Delivery> query(String sql, Object... args) {
        return db.run(c -> {
            List<Delivery> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(sql)) {
                Sql.bind(s, args);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Delivery(rs.getLong("id"), rs.getString("target"),
                                rs.getString("url"), rs.getString("event"),
                                Sql.longOrNull(rs, "job_id"), rs.getString("payload"),
                                rs.getString("state"), rs.getInt("attempts"),
                                Sql.instant(rs, "next_attempt_at"),
                                (Integer) rs.getObject("last_status"), rs.getString("last_error"),
                                Sql.instant(rs, "created_at"), Sql.instant(rs, "delivered_at")));
                    }
                }
            }
            return out;
        });
    }
}
