/**
 * What an attempt is judged by, as values and pure rules: its
 * {@link civitai.daemon.download.rules.Outcome}, the size a file may have ({@code ExpectedSize})
 * and where a body without a length is cut ({@code BodyLimit}, {@code BodyRules}), the space a job
 * may take ({@code SpaceGate}), a job's target name, its speed. Imports nothing of the engine.
 */
package civitai.daemon.download.rules;
