package civitai.daemon.library.index;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The library's reads for the API: a filtered, sorted page of files, the duplicate groups, the
 * totals. Duplicates are present files with one SHA-256 on more than one inode: hard links to one
 * inode are one file. Thread-safe.
 */
public final class LibraryQuery {
    /** What {@code GET /api/library} asks; null fields do not filter. */
    public record Filter(String type, String root, String source, Boolean identified,
            Boolean duplicates, String text, String state) {}

    public enum Sort {
        NAME("name COLLATE NOCASE, id"), SIZE("size DESC, id"), DATE("mtime_ms DESC, id");

        final String order;

        Sort(String order) {
            this.order = order;
        }
    }

    public record Page(List<LibraryFile> files, long total) {}

    /** Files with one SHA-256 on several inodes; {@code wastedBytes} is what all but one take. */
    public record Group(String sha256, long size, int inodes, long wastedBytes,
            List<LibraryFile> files) {}

    public record Totals(long files, long bytes, long wastedBytes) {}

    /**
     * What one model type takes: its present files, and their bytes with a hard-linked file once.
     */
    public record Use(long files, long bytes) {}

    private static final String DUPLICATED = "SELECT sha256 FROM library_files"
            + " WHERE state = 'present' AND sha256 IS NOT NULL GROUP BY sha256"
            + " HAVING count(DISTINCT coalesce(inode, path)) > 1";

    private final LibraryIndex index;

    public LibraryQuery(LibraryIndex index) {
        this.index = index;
    }

    public Page page(Filter f, Sort sort, int limit, int offset) {
        List<Object> args = new ArrayList<>();
        String where = where(f, args);
        return index.read(c -> {
            long total = Rows.count(c, "SELECT count(*) FROM library_files " + where,
                    args.toArray());
            List<Object> paged = new ArrayList<>(args);
            paged.add(limit);
            paged.add(offset);
            return new Page(Rows.files(c, where + " ORDER BY " + sort.order + " LIMIT ? OFFSET ?",
                    paged.toArray()), total);
        });
    }

    private static String where(Filter f, List<Object> args) {
        List<String> terms = new ArrayList<>();
        term(terms, args, "state = ?", f.state());
        term(terms, args, "model_type = ?", f.type());
        term(terms, args, "root = ?", f.root());
        term(terms, args, "source = ?", f.source());
        if (f.identified() != null) {
            terms.add(f.identified() ? "source IS NOT NULL" : "source IS NULL");
        }
        if (f.duplicates() != null) {
            terms.add("state = 'present' AND sha256 " + (f.duplicates() ? "" : "NOT ") + "IN ("
                    + DUPLICATED + ")");
        }
        if (f.text() != null && !f.text().isBlank()) {
            String like = "%" + f.text().strip().toLowerCase(Locale.ROOT)
                    .replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            terms.add("(lower(name) LIKE ? ESCAPE '\\'"
                    + " OR lower(coalesce(model_name, '')) LIKE ? ESCAPE '\\')");
            args.add(like);
            args.add(like);
        }
        return terms.isEmpty() ? "" : "WHERE " + String.join(" AND ", terms);
    }

    private static void term(List<String> terms, List<Object> args, String sql, String value) {
        if (value != null) {
            terms.add(sql);
            args.add(value);
        }
    }

    /** Every duplicate group, the most wasteful first. */
    public List<Group> duplicates() {
        List<LibraryFile> files = index.read(c -> Rows.files(c, "WHERE state = 'present'"
                + " AND sha256 IN (" + DUPLICATED + ") ORDER BY sha256, path"));
        Map<String, List<LibraryFile>> bySha = new LinkedHashMap<>();
        files.forEach(f -> bySha.computeIfAbsent(f.sha256(), k -> new ArrayList<>()).add(f));
        List<Group> groups = new ArrayList<>();
        for (var e : bySha.entrySet()) {
            groups.add(group(e.getKey(), e.getValue()));
        }
        groups.sort((a, b) -> Long.compare(b.wastedBytes(), a.wastedBytes()));
        return groups;
    }

    /** The duplicate group of one SHA-256 (a single file is a group of one, wasting nothing). */
    public Group group(String sha256) {
        return group(sha256, index.withSha256(sha256));
    }

    private static Group group(String sha256, List<LibraryFile> files) {
        long inodes = files.stream().map(f -> f.inode() != null ? f.inode() : f.path()).distinct()
                .count();
        long size = files.isEmpty() ? 0 : files.get(0).size();
        return new Group(sha256, size, (int) inodes, size * Math.max(0, inodes - 1),
                List.copyOf(files));
    }

    /** Disk use per model type, by type name; files of no known type under {@code "other"}. */
    public Map<String, Use> byType() {
        return index.read(c -> {
            Map<String, Use> out = new TreeMap<>();
            // one inner row per type and inode: hard links to one file count their bytes once
            try (PreparedStatement s = c.prepareStatement("SELECT coalesce(model_type, 'other'),"
                    + " sum(n), sum(size) FROM (SELECT model_type, count(*) AS n, max(size) AS size"
                    + " FROM library_files WHERE state = 'present' GROUP BY model_type,"
                    + " coalesce(inode, path)) GROUP BY 1");
                    ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.merge(rs.getString(1), new Use(rs.getLong(2), rs.getLong(3)),
                            (a, b) -> new Use(a.files() + b.files(), a.bytes() + b.bytes()));
                }
            }
            return out;
        });
    }

    public Totals totals() {
        long wasted = duplicates().stream().mapToLong(Group::wastedBytes).sum();
        return index.read(c -> {
            long files = Rows.count(c, "SELECT count(*) FROM library_files"
                    + " WHERE state = 'present'");
            long bytes = Rows.count(c, "SELECT coalesce(sum(size), 0) FROM (SELECT DISTINCT"
                    + " coalesce(inode, path), size FROM library_files WHERE state = 'present')");
            return new Totals(files, bytes, wasted);
        });
    }
}
