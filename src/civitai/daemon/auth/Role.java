package civitai.daemon.auth;

/** What a caller may do: a viewer reads, an admin also changes things. */
public enum Role {
    VIEWER, ADMIN;

    public boolean mayDo(Role needed) {
        return this == ADMIN || needed == VIEWER;
    }
}
