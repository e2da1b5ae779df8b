package civitai.daemon.civitai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What users paste, and the reference each becomes. */
class ReferenceTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
        "https://civitai.com/models/4201/realistic-vision?modelVersionId=130072 |"
                + " Model[modelId=4201, versionId=130072, fileId=null]",
        "https://civitai.com/models/4201                                        |"
        + " Model[modelId=4201, versionId=null, fileId=null]",
        "https://civitai.red/models/4201/some-name/                              |"
        + " Model[modelId=4201, versionId=null, fileId=null]",
        "https://www.civitai.com/models/4201?modelVersionId=130072&fileId=7      |"
        + " Model[modelId=4201, versionId=130072, fileId=7]",
        "https://civitai.com/api/download/models/130072                          |"
        + " Version[versionId=130072, fileId=null]",
        "https://civitai.red/api/download/models/130072?type=Model&fileId=99     |"
        + " Version[versionId=130072, fileId=99]",
        "https://civitai.com/api/v1/model-versions/1387174                       |"
        + " Version[versionId=1387174, fileId=null]",
        "urn:air:sd1:checkpoint:civitai:4201@130072                              |"
        + " Model[modelId=4201, versionId=130072, fileId=null]",
        "urn:air:flux1:lora:civitai:1231067@1387174                              |"
        + " Model[modelId=1231067, versionId=1387174, fileId=null]",
        "URN:AIR:SDXL:LORA:CIVITAI:328553                                        |"
        + " Model[modelId=328553, versionId=null, fileId=null]",
        "http://127.0.0.1:8999/api/download/models/5                             |"
        + " Version[versionId=5, fileId=null]",
        "https://huggingface.co/models/4201                                      | NONE",
        "https://civitai.com/images/12345                                        | NONE",
        "https://civitai.com/models/abc                                          | NONE",
        "urn:air:sd1:checkpoint:huggingface:4201@1                               | NONE",
        "not a link at all                                                       | NONE",
    })
    void parse(String text, String expected) {
        assertEquals(Optional.ofNullable(expected),
                Reference.parse(text, "127.0.0.1:8999").map(Object::toString));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
        "Checkpoint       | Model       | checkpoint",
        "LORA             | Model       | lora",
        "LoCon            | Model       | lora",
        "DoRA             | Model       | lora",
        "TextualInversion | Model       | embedding",
        "VAE              | Model       | vae",
        "Checkpoint       | VAE         | vae",
        "Controlnet       | Model       | controlnet",
        "Upscaler         | Model       | upscaler",
        "MotionModule     | Model       | motion_module",
        "Hypernetwork     | Model       | hypernetwork",
        "SomethingNew2027 | Model       | other",
        "NONE             | NONE        | other",
    })
    void modelTypes(String civitaiType, String fileType, String modelType) {
        assertEquals(modelType, ModelTypes.of(civitaiType, fileType));
    }
}
