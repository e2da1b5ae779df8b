/**
 * The chaos suite ({@code make chaos}, {@code make chaos-long}): the daemon as a child JVM, started
 * as a user starts it, against the fake Civitai and storage hosts and nginx, killed, starved of
 * disk, fed hostile clients and soaked, with the figures of each run written to
 * {@code build/chaos/RESULTS.md} beside the seed that replays it. Never part of {@code make test}.
 */
package civitai.chaos;
