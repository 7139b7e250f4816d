"""REST routes of the users service: thin — parse, authorise, call the service, return."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from kirana.deps import AppSettings, AuthRateLimit, CurrentUser, Session
from kirana.kit import proxies
from kirana.kit.openapi import problems
from kirana.kit.pagination import Page
from kirana.users import otp, service
from kirana.users.schemas import (
    AddressCreate,
    AddressRead,
    AddressUpdate,
    LoginIn,
    OtpRequestIn,
    OtpSent,
    OtpVerifyIn,
    OtpVerifyOut,
    RefreshIn,
    RegisterIn,
    RegisterOut,
    TokenPair,
    UserRead,
    UserUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["users"])


@router.post(
    "/auth/register", status_code=201, operation_id="register", dependencies=[AuthRateLimit]
)
async def register(body: RegisterIn, session: Session, settings: AppSettings) -> RegisterOut:
    user, tokens = await service.register(session, settings, body)
    return RegisterOut(user=service.to_read(user), **tokens.model_dump())


@router.post(
    "/auth/login", operation_id="login", dependencies=[AuthRateLimit], responses=problems(401)
)
async def login(body: LoginIn, session: Session, settings: AppSettings) -> TokenPair:
    return await service.login(session, settings, body.phone, body.password)


@router.post(
    "/auth/otp/request",
    status_code=202,
    operation_id="requestLoginCode",
    responses=problems(429, 503),
)
async def request_login_code(
    body: OtpRequestIn, request: Request, session: Session, settings: AppSettings
) -> OtpSent:
    """Send a login code by SMS to ``phone`` (whether or not it has an account yet)."""
    return await otp.request_code(
        session,
        settings,
        request.app.state.rate_limiter,
        request.app.state.code_sender,
        phone=body.phone,
        client=proxies.client_address(request.scope, settings.trusted_proxies),
    )


@router.post(
    "/auth/otp/verify",
    operation_id="verifyLoginCode",
    dependencies=[AuthRateLimit],
    responses=problems(401),
)
async def verify_login_code(
    body: OtpVerifyIn, session: Session, settings: AppSettings
) -> OtpVerifyOut:
    """Sign in with the code; the first verify of a phone registers it."""
    return await otp.verify_code(
        session, settings, phone=body.phone, code=body.code, name=body.name
    )


@router.post(
    "/auth/refresh",
    operation_id="refreshTokens",
    dependencies=[AuthRateLimit],
    responses=problems(401),
)
async def refresh(body: RefreshIn, session: Session, settings: AppSettings) -> TokenPair:
    return await service.refresh(session, settings, body.refresh_token)


@router.post("/auth/logout", status_code=204, operation_id="logout")
async def logout(body: RefreshIn, session: Session) -> Response:
    await service.logout(session, body.refresh_token)
    return Response(status_code=204)


@router.get("/me", operation_id="getMe")
async def get_me(principal: CurrentUser, session: Session) -> UserRead:
    return service.to_read(await service.get_user(session, principal.id))


@router.patch("/me", operation_id="updateMe")
async def update_me(body: UserUpdate, principal: CurrentUser, session: Session) -> UserRead:
    user = await service.update_profile(
        session, principal.id, body, session_id=principal.session_id
    )
    return service.to_read(user)


@router.get("/me/addresses", operation_id="listAddresses")
async def list_addresses(principal: CurrentUser, session: Session) -> Page[AddressRead]:
    return Page(items=await service.list_addresses(session, principal.id))


@router.post("/me/addresses", status_code=201, operation_id="createAddress")
async def create_address(
    body: AddressCreate, principal: CurrentUser, session: Session
) -> AddressRead:
    return await service.add_address(session, principal.id, body)


@router.get("/me/addresses/{address_id}", operation_id="getAddress")
async def get_address(address_id: str, principal: CurrentUser, session: Session) -> AddressRead:
    return await service.get_address(session, principal.id, address_id)


@router.patch("/me/addresses/{address_id}", operation_id="updateAddress")
async def update_address(
    address_id: str, body: AddressUpdate, principal: CurrentUser, session: Session
) -> AddressRead:
    return await service.update_address(session, principal.id, address_id, body)


@router.delete("/me/addresses/{address_id}", status_code=204, operation_id="deleteAddress")
async def delete_address(address_id: str, principal: CurrentUser, session: Session) -> Response:
    await service.delete_address(session, principal.id, address_id)
    return Response(status_code=204)
