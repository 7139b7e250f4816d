/** Shown on a live order's page: the moment a customer wants to hear that it is on its way. */
import { useState } from 'react';
import { declinePush, enablePush, shouldOfferPush } from '../lib/push';
import { Button } from '../ui';

export function PushOffer() {
  const [shown, setShown] = useState(shouldOfferPush);
  const [busy, setBusy] = useState(false);
  if (!shown) return null;
  return (
    <div className="banner row between wrap" role="region" aria-label="Order notifications">
      <span>Want a notification when your order is on its way?</span>
      <div className="row">
        <Button
          size="small"
          busy={busy}
          onClick={() => {
            setBusy(true);
            void enablePush()
              .catch(() => false)
              .finally(() => {
                setBusy(false);
                setShown(false);
              });
          }}
        >
          Turn on
        </Button>
        <Button
          size="small"
          variant="ghost"
          onClick={() => {
            declinePush();
            setShown(false);
          }}
        >
          Not now
        </Button>
      </div>
    </div>
  );
}
