/**
 * Where files go, as pure values: the rules for a safe name
 * ({@link civitai.daemon.target.SafeName}), the {@link civitai.daemon.target.Layout} that maps a
 * {@code model_type} to a folder, and the {@link civitai.daemon.target.Target} a job writes, keyed
 * by its resolved path, which {@link civitai.daemon.target.Targets} builds. Imports nothing of the
 * daemon but {@code log}'s {@code Printable} (what a person can read in a name).
 */
package civitai.daemon.target;
