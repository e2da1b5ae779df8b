/**
 * Where files go, as pure values: the {@link civitai.daemon.target.Layout} that maps a
 * {@code model_type} to a folder, and the {@link civitai.daemon.target.Target} a job writes,
 * keyed by its resolved path, which {@link civitai.daemon.target.Targets} builds. Imports nothing
 * of the daemon's other packages.
 */
package civitai.daemon.target;
