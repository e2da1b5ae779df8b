package civitai.daemon.library;

/** A scan was asked for while another runs: two scans never run at once. */
public final class ScanBusy extends Exception {
    private static final long serialVersionUID = 1L;

    ScanBusy(String message) {
        super(message);
    }
}
