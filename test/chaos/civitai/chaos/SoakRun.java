package civitai.chaos;

/** Placeholder. */
final class SoakRun {
    private SoakRun() {}

    static void run(Stage stage) {
        stage.info("not built yet", 0);
    }
}
