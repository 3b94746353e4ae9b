-- The waiting rooms (WaitingRoomGrain). A room keeps its line in memory; what must outlive a silo is here:
-- the highest ticket number it may have handed out (so a new activation numbers after every old ticket)
-- and the frontier it admitted up to (so it never moves back), each only ever raised; every pre-queue
-- member with the draw that orders them, written before they are told they are in; and each opening's
-- placement, written before any of its numbers is told, so every activation places a pre-queue alike.

CREATE TABLE waiting_rooms
(
    program_id text   NOT NULL,
    month      text   NOT NULL,
    reserved   bigint NOT NULL CHECK (reserved >= 0),
    admitted   bigint NOT NULL CHECK (admitted >= 0),
    PRIMARY KEY (program_id, month)
);

CREATE TABLE waiting_room_pre_queue
(
    program_id text        NOT NULL,
    month      text        NOT NULL,
    opening    timestamptz NOT NULL,
    citizen_id text        NOT NULL,
    draw       bigint      NOT NULL,
    PRIMARY KEY (program_id, month, opening, citizen_id)
);

CREATE TABLE waiting_room_openings
(
    program_id   text        NOT NULL,
    month        text        NOT NULL,
    opening      timestamptz NOT NULL,
    first_number bigint      NOT NULL CHECK (first_number >= 1),
    PRIMARY KEY (program_id, month, opening)
);
