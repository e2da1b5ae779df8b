/**
 * Where files go, as pure values: the rules for a safe name
 * ({@link civitai.daemon.target.SafeName}), the {@link civitai.daemon.target.Layout} that maps a
 * {@code model_type} to a folder, and the {@link civitai.daemon.target.Target} a job writes, keyed
 * by its resolved path, which {@link civitai.daemon.target.Targets} builds; the policies for a file
 * already at a target ({@link civitai.daemon.target.ExistingFiles}) and for making one from a
 * library copy ({@link civitai.daemon.target.ReuseMode}), which {@code config} reads and the
 * engine applies. Imports nothing of the daemon but {@code log}'s {@code Printable} (what a person
 * can read in a name).
 */
package civitai.daemon.target;
