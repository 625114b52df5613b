// Built into bundle.js with `npx esbuild index.js --bundle --outfile=bundle.js` after `npm install @forge/bridge`
// (see forge/README.md). invokeRemote sends the Forge invocation token and the user's token to the gateway.
import { invokeRemote, view } from '@forge/bridge';

const form = document.getElementById('share');
const result = document.getElementById('result');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const context = await view.getContext();
  const pageId = context.extension.content.id;
  const to = document.getElementById('to').value.split(/[,;\s]+/).filter(Boolean);
  const note = document.getElementById('note').value;
  result.textContent = 'Sending…';
  const response = await invokeRemote({ path: '/share', method: 'POST', body: { pageId, to, note } });
  result.textContent = response.status === 200 ? `Sent to ${to.join(', ')}.` : `Not sent: ${response.body.message}`;
});
