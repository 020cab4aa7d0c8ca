/** The check run while Bulwark reviews a commit. */
export function renderInProgress(headSha: string): { title: string; summary: string } {
  return { title: 'Review in progress', summary: `Bulwark is reviewing \`${headSha.slice(0, 7)}\`.` };
}
