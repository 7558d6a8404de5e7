// TV home (and TV's not-found page): rows of cards moved through with the arrows, Enter opens
// a card. Back on the home page itself stays: there is nowhere further back to go.
import { startNavigation, goBack } from './focus.js';

startNavigation({ onBack: () => { if (location.pathname !== '/tv') goBack('/tv'); } });
