package civitai.daemon.testing;

import com.eclipsesource.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A daemon test with a fake Hugging Face Hub beside it; {@link #hubConfig} points the daemon at it.
 */
public abstract class HubDaemonTest extends DaemonTest {
    protected FakeHub hub;

    @BeforeEach
    void startHub() throws Exception {
        hub = FakeHub.start();
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    /** The test config with these keys, and {@code hf_endpoint} at the fake Hub. */
    protected JsonObject hubConfig(Object... keysAndValues) {
        return config(keysAndValues).set("hf_endpoint", hub.base().toString());
    }
}
