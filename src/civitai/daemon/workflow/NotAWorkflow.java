package civitai.daemon.workflow;

/** The body is none of the formats read here; the message is the one the 400 answer carries. */
public final class NotAWorkflow extends Exception {
    private static final long serialVersionUID = 1L;

    static final String WHAT = "not a ComfyUI workflow, a ComfyUI/A1111 PNG or A1111 parameters";

    NotAWorkflow(String why) {
        super(WHAT + ": " + why);
    }
}
