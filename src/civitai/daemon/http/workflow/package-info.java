/**
 * {@code /api/workflow}: a workflow's plan against the library, kept for a later queue of chosen
 * rows, queued through the intake, and a copy the library has elsewhere linked into place.
 */
package civitai.daemon.http.workflow;
