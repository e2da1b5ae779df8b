/**
 * How the client prints: aligned tables, human sizes, rates and durations, and the job and
 * status views built of them. Pure text from JSON; imports nothing of the other client packages.
 */
package civitai.daemon.cli.view;
