package civitai.chaos;

/** Placeholder. */
final class DiskRun {
    private DiskRun() {}

    static void run(Stage stage) {
        stage.info("not built yet", 0);
    }
}
