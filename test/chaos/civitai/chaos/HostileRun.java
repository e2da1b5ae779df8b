package civitai.chaos;

/** Placeholder. */
final class HostileRun {
    private HostileRun() {}

    static void run(Stage stage) {
        stage.info("not built yet", 0);
    }
}
