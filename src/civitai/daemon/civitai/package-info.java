/**
 * What Civitai's answers mean: refusals (login required, early access, archived, quota) turned into
 * reasons a user can act on.
 */
package civitai.daemon.civitai;
