"""Every service's tables, imported in one place for migrations and tests."""

from kirana.catalog import models as catalog_models
from kirana.kit.db import Base
from kirana.logistics import models as logistics_models
from kirana.users import models as users_models

metadata = Base.metadata

__all__ = ["catalog_models", "logistics_models", "metadata", "users_models"]
