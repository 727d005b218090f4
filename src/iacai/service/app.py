"""The FastAPI application: routers, static files, CORS, errors, and the worker pool's lifetime."""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from typing import Any

import swagger_ui_bundle
from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send

from iacai import __version__, named_queries
from iacai.namespaces import PREFIXES
from iacai.service import settings
from iacai.service.command import NOT_SERVABLE, servable_snapshot
from iacai.service.engine import allocator
from iacai.service.engine.pool import QueryPool
from iacai.service.engine.worker import WorkerSetup
from iacai.service.http.addresses import base_url
from iacai.service.http.answer_cache import AnswerCacheMiddleware, KeepTaggedAnswers
from iacai.service.http.caches import AnswerCache, HasBody
from iacai.service.http.client_identity import ClientIdentity
from iacai.service.http.errors import ServiceError, client_gone, plain_error, plain_http_error
from iacai.service.http.negotiation import HTML, Kind, formats_of, negotiate
from iacai.service.http.openapi import answers
from iacai.service.http.representations import (
    EXPOSED_HEADERS,
    Representation,
    RepresentationMiddleware,
    WholeStaticFiles,
)
from iacai.service.http.request_headers import OneReadingMiddleware
from iacai.service.http.security_headers import add_security_headers
from iacai.service.linked_data import dereferencing, discovery
from iacai.service.pages import index_pages, query_pages, search_page, site
from iacai.service.pages.error_pages import for_people
from iacai.service.pages.search_page import keep_building
from iacai.service.sparql import named_query_routes, protocol
from iacai.service.sparql.answerer import Answerer
from iacai.service.sparql.internal_queries import InternalQueries
from iacai.service.sparql.query_edge import QueryEdge
from iacai.service.sparql.service_description import Describer
from iacai.snapshot import SNAPSHOT_FILE_VARIABLE, Snapshot, jsonld_context, read_snapshot
from iacai.stores import opening
from iacai.stores.location import StoreKind

DESCRIPTION = """A read-only SPARQL 1.1 endpoint over the knowledge graph of the essay on
interagency collaboration and AI implementation in the public sector. Queries run in worker
processes under a timeout, on pyoxigraph (in memory or on disk) or on a remote SPARQL store; the
default graph is the union of the named graphs."""


class Service(FastAPI):
    """The FastAPI application behind what answers before FastAPI or any middleware runs (a
    middleware would run inside FastAPI's own layers): the answer cache, for a repeated
    request, then the query edge, for a query at /sparql (`sparql.query_edge`)."""

    front: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.front is None:
            await super().__call__(scope, receive, send)
        else:
            await self.front(scope, receive, send)


def create_app(config: settings.Settings, snapshot: Snapshot) -> FastAPI:
    """The service for one snapshot of the graph under the given settings."""
    context = jsonld_context()
    answer_cache: AnswerCache[Hashable, HasBody] = AnswerCache(
        config.cache_entries, config.cache_bytes
    )
    location = config.store_location
    setup = WorkerSetup(
        snapshot.nquads if location.kind is StoreKind.MEMORY else b"",
        dict(PREFIXES),
        context,
        location,
        snapshot.version,
        snapshot.graph_names,
        config.query_timeout,
        network=bool(config.service_allowlist) or location.kind is StoreKind.REMOTE,
        memory_limit=config.worker_memory << 20,
        max_answer_bytes=config.max_answer_bytes,
        malloc_library=allocator.library(config.worker_malloc),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(opening.prepare, location, snapshot.nquads, snapshot.version)
        pool = QueryPool(setup, config.query_workers, config.fast_lane_seconds)
        await pool.start()
        app.state.pool = pool
        app.state.answerer = Answerer(
            config, snapshot.version, pool, answer_cache, app.state.clients
        )
        app.state.queries = InternalQueries(app.state.answerer)
        app.state.describer = Describer(
            app.state.queries,
            snapshot.graph_names,
            bool(config.service_allowlist),
            context,
            app.state.linked_data.dumps,
            snapshot.modified,
        )
        indexing = asyncio.create_task(keep_building(app, pool))
        try:
            yield
        finally:
            indexing.cancel()
            await pool.close()

    app = Service(
        title="iacai-kg SPARQL service",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = config
    app.state.answer_cache = answer_cache
    app.state.clients = ClientIdentity(config.trusted_proxies)
    app.state.snapshot = snapshot
    app.state.catalogue = named_queries.catalogue()
    app.router.routes.append(protocol.QUERY_ROUTE)  # first: the most frequent request
    app.include_router(index_pages.router)  # /id/{kind}/ before the /id/... documents
    dereferencing.attach(app, snapshot)
    app.add_exception_handler(ServiceError, for_people(plain_error))
    app.add_exception_handler(StarletteHTTPException, for_people(plain_http_error))
    app.add_exception_handler(ClientDisconnect, client_gone)
    representation = Representation(
        snapshot.modified, config.cache_max_age, app.state.linked_data.dumps.gzipped
    )
    cors = _cors_options(config)
    app.front = QueryEdge(
        app, representation, cors is not None, functools.partial(FastAPI.__call__, app)
    )
    if config.cache_entries:
        app.add_middleware(KeepTaggedAnswers)  # added first: it sees the application's answers
        app.front = AnswerCacheMiddleware(
            app.front,
            cache=answer_cache,
            data_version=snapshot.version,
            largest_body=config.max_query_bytes,
        )
    app.add_middleware(RepresentationMiddleware, representation=representation)
    app.add_middleware(OneReadingMiddleware)  # every layer inside reads a field one way
    if cors is not None:
        app.add_middleware(CORSMiddleware, **cors)
    app.include_router(protocol.router)
    app.include_router(named_query_routes.router)
    app.include_router(query_pages.router)
    app.include_router(search_page.router)
    app.include_router(discovery.router)
    add_security_headers(app)
    app.add_api_route(
        "/healthz",
        healthz,
        methods=["GET"],
        summary="Liveness and data version",
        responses=answers(200, json_schema={"type": "object", "required": ["status"]}),
    )
    app.add_api_route(
        "/.well-known/void",
        void,
        methods=["GET"],
        summary="VoID description of the dataset",
        response_class=Response,
        responses=answers(200, 304, 406, formats=(*formats_of(Kind.GRAPH), HTML)),
    )
    app.mount("/static/swagger", WholeStaticFiles(directory=swagger_ui_bundle.swagger_ui_path))
    app.mount("/static", WholeStaticFiles(directory=query_pages.STATIC_DIR), name="static")
    return app


def _cors_options(config: settings.Settings) -> dict[str, Any] | None:
    """How cross-origin scripts may read answers (CORSMiddleware's options); None: they may not."""
    if not config.cors_origins:
        return None
    return {
        "allow_origins": list(config.cors_origins),
        "allow_methods": ["GET", "HEAD", "POST", "OPTIONS"],
        "allow_headers": [
            "Accept",
            "Content-Type",
            "If-None-Match",
            "If-Modified-Since",
            "Range",
            "If-Range",
        ],
        "expose_headers": list(EXPOSED_HEADERS),
        "allow_credentials": False,
    }


async def healthz(request: Request, response: Response) -> dict[str, object]:
    """Up, which data and store it serves, this server process, its workers and answer cache."""
    pool: QueryPool = request.app.state.pool
    cache: AnswerCache[Hashable, HasBody] = request.app.state.answer_cache
    response.headers["Cache-Control"] = "no-store"  # it changes from one moment to the next
    return {
        "status": "ok",
        "data_version": request.app.state.snapshot.version,
        "store": str(request.app.state.settings.store_location),
        "server_process": os.getpid(),
        "idle_query_workers": pool.idle_workers,
        "query_workers_replaced": pool.workers_replaced,
        "query_jobs_sent_ahead": pool.jobs_sent_ahead,
        "query_worker_malloc": pool.worker_malloc,
        "answer_cache": {
            "entries": len(cache),
            "most_entries": cache.most_entries,
            "bytes": cache.size,
            "most_bytes": cache.size_limit,
        },
    }


async def void(request: Request, format: str | None = None) -> Response:
    """The VoID description in any RDF format (Turtle unless asked), or as a page for browsers."""
    offered = (*formats_of(Kind.GRAPH), HTML)
    formats = request.query_params.getlist("format")
    chosen = negotiate(formats, request.headers.get("accept"), offered, "the VoID description")
    await request.app.state.linked_data.dumps.made()  # listed in it, made off the event loop
    if chosen is HTML:
        alternates = [
            {"href": f"?format={name}", "media_type": f.media_type, "name": name}
            for f in offered
            if f is not HTML and (name := f.parameter_names[0])
        ]
        return await site.void_page(request, alternates)
    describer: Describer = request.app.state.describer
    body = await describer.render(base_url(request), "void", chosen)
    return Response(body, media_type=chosen.content_type, headers={"Vary": "Accept"})


def app_from_environment() -> FastAPI:
    """The app factory uvicorn's worker processes call (settings arrive as IACAI_* variables).

    `iacai serve --workers N` validates once and hands every process the same snapshot file, so
    all of them serve the same bytes (blank-node labels included) and none validates again.
    Started by uvicorn alone, it does what `iacai serve` does first: the configured data dir,
    validated, and the store prepared and checked.
    """
    config = settings.from_sources()
    snapshot_file = os.environ.get(SNAPSHOT_FILE_VARIABLE)
    if snapshot_file:
        return create_app(config, read_snapshot(snapshot_file))
    try:
        snapshot = servable_snapshot(config)
    except NOT_SERVABLE as error:
        raise SystemExit(f"iacai serve: {error}") from None
    return create_app(config, snapshot)
