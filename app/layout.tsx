// The root layout: document shell, site header and the offline service worker.
import type { ReactNode } from 'react';
import { ServiceWorker } from './_components/ServiceWorker.tsx';
import './globals.css';

/** The document title and description every page starts from. */
export const metadata = {
  title: 'hwLedger: will this model fit?',
  description: 'Plan how large language models fit and run on real hardware, in your browser.',
};

/** Wraps every page in the document shell. */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site">
          <a href="/" className="brand">
            hwLedger
          </a>
          <span className="tagline">memory, speed and cost of LLMs on real hardware</span>
          <nav>
            <a href="/">Notebooks</a>
            <a href="/fleet/">Fleet</a>
            <a href="/inference/">Local inference</a>
          </nav>
        </header>
        <main>{children}</main>
        <ServiceWorker />
      </body>
    </html>
  );
}
