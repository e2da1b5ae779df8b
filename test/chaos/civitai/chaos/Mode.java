package civitai.chaos;

/**
 * How big each scenario runs: {@code ci} (a few minutes, in .ci/run) or {@code long}.
 *
 * @param kills           kill -9 moments in the crash scenario
 * @param crashFileMiB    the size range of the crash scenario's files (MiB, up to)
 * @param hostileRequests generated hostile requests
 * @param slowClients     clients that drip a request line and never finish
 * @param eventClients    event-stream clients held open at once
 * @param soakDownloads   small downloads in the soak
 */
record Mode(String name, int kills, int crashFileMiB, int hostileRequests, int slowClients,
        int eventClients, int soakDownloads) {
    static Mode of(String name) {
        return switch (name) {
            case "ci" -> new Mode("ci", 16, 12, 10_000, 10_000, 3_000, 1_000);
            case "long" -> new Mode("long", 110, 48, 30_000, 10_000, 3_000, 10_000);
            default -> throw new IllegalArgumentException("mode is ci or long, not " + name);
        };
    }
}
