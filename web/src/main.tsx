import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';
import { App } from './App';
import { registerServiceWorker } from './sw-register';
import { loadMarket } from './lib/market';

// The market (currency, locale, phone region) is known before the first screen formats money.
void loadMarket().finally(() => {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});

// Lets benchmarks/web_budget.py see when React has painted the app over the boot HTML.
requestAnimationFrame(() => setTimeout(() => performance.mark('kirana:app-rendered'), 0));

registerServiceWorker();
