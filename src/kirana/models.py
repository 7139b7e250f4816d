"""Every service's tables, imported in one place for migrations and tests."""

from kirana.catalog import models as catalog_models
from kirana.kit import outbox
from kirana.kit.db import Base
from kirana.logistics import models as logistics_models
from kirana.notifications import models as notifications_models
from kirana.orders import models as orders_models
from kirana.payments import models as payments_models
from kirana.recommendations import models as recommendations_models
from kirana.users import models as users_models

metadata = Base.metadata

__all__ = [
    "catalog_models",
    "logistics_models",
    "metadata",
    "notifications_models",
    "orders_models",
    "outbox",
    "payments_models",
    "recommendations_models",
    "users_models",
]
