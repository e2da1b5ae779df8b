package civitai.daemon.workflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A1111 / Forge "parameters" text: the checkpoint ({@code Model hash}, AutoV2, with {@code Model}),
 * {@code <lora:..>} in the prompt and the hashes of {@code Lora hashes}, {@code TI hashes}.
 */
final class A1111Reader {
    private static final Pattern MODEL_HASH =
            Pattern.compile("(?:^|, )Model hash: ([0-9a-fA-F]{8,64})");
    private static final Pattern MODEL = Pattern.compile("(?:^|, )Model: ([^,\\n]+)");
    private static final Pattern VAE_HASH =
            Pattern.compile("(?:^|, )VAE hash: ([0-9a-fA-F]{8,64})");
    private static final Pattern VAE = Pattern.compile("(?:^|, )VAE: ([^,\\n]+)");
    private static final Pattern HASH_LIST = Pattern.compile("(Lora|TI) hashes: \"([^\"]*)\"");

    private A1111Reader() {}

    static boolean looksLike(String text) {
        return text.contains("Steps: ")
                && (text.contains("Sampler: ") || text.contains("Model hash: "));
    }

    static List<Reference> read(String text) throws NotAWorkflow {
        var refs = new ArrayList<Reference>();
        var hash = MODEL_HASH.matcher(text);
        var model = MODEL.matcher(text);
        if (hash.find() || model.find()) {
            String name = model.find(0) ? model.group(1).trim() : hash.group(1);
            Optional<String> h = hash.find(0) ? Optional.of(hash.group(1).toLowerCase(Locale.ROOT))
                    : Optional.empty();
            refs.add(new Reference("parameters", "Model", name, Optional.of("checkpoints"),
                    Optional.empty(), h));
        }
        var vaeHash = VAE_HASH.matcher(text);
        if (vaeHash.find()) {
            var vae = VAE.matcher(text);
            refs.add(new Reference("parameters", "VAE",
                    vae.find() ? vae.group(1).trim() : vaeHash.group(1), Optional.of("vae"),
                    Optional.empty(), Optional.of(vaeHash.group(1).toLowerCase(Locale.ROOT))));
        }
        var lists = HASH_LIST.matcher(text);
        var hashed = new ArrayList<String>();
        while (lists.find()) {
            String folder = lists.group(1).equals("Lora") ? "loras" : "embeddings";
            for (String pair : lists.group(2).split(",")) {
                int colon = pair.lastIndexOf(':');
                if (colon > 0) {
                    String name = pair.substring(0, colon).trim();
                    hashed.add(name);
                    refs.add(new Reference("parameters", lists.group(1) + " hashes", name,
                            Optional.of(folder), Optional.empty(),
                            Optional.of(pair.substring(colon + 1).trim()
                                    .toLowerCase(Locale.ROOT))));
                }
            }
        }
        for (Reference r : TextReferences.find("parameters", "prompt", text)) {
            if (!hashed.contains(r.name())) {
                refs.add(r);
            }
        }
        refs.addAll(CivitaiResources.read(text));
        return refs;
    }
}
