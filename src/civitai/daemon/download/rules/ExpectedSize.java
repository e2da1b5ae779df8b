package civitai.daemon.download.rules;

import civitai.daemon.store.jobs.JobSpec;

/**
 * The size an entry promises, and how exactly: a size in bytes is exact; a rounded one (such as
 * Civitai's {@code sizeKB}) allows 1% + 64 KiB before an offered file is taken for another.
 * Its source says which, never the engine. Immutable.
 *
 * @param bytes the promised size
 * @param exact whether the file must have exactly this size
 */
public record ExpectedSize(long bytes, boolean exact) {
    private static final long SLACK = 64 * 1024;

    /** The spec's promise, or null when it promises no size. */
    public static ExpectedSize of(JobSpec spec) {
        return spec.expectedSize() == null ? null
                : new ExpectedSize(spec.expectedSize(), spec.exactSize());
    }

    /** True when a file of {@code offered} bytes cannot be the promised one. */
    public boolean rulesOut(long offered) {
        return exact ? offered != bytes : Math.abs(offered - bytes) > slack();
    }

    /**
     * The largest file that can still be the promised one: where a body without a length is cut.
     */
    public long most() {
        return exact ? bytes : bytes + slack();
    }

    private long slack() {
        return bytes / 100 + SLACK;
    }
}
