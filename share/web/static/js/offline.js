// The service worker's offline page (shown in place of a page that could not be loaded):
// reloads the address the viewer asked for once the browser is back online, or on request.
const retry = () => location.reload();
document.getElementById('retry')?.addEventListener('click', retry);
window.addEventListener('online', retry);
