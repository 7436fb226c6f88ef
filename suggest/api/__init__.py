"""The HTTP service: the only place that knows about FastAPI.

    app = create_app(Settings.load())          # model and index load in the lifespan
    uvicorn.run(app)                           # or `suggest serve`
"""

from suggest.api.app import create_app

__all__ = ["create_app"]
