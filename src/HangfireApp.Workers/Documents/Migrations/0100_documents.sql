-- The documents pipeline's own tables. Files (uploads and outputs) are stored in 1 MiB parts so that they are
-- streamed in and out, never held whole in memory; every worker host reads them from here.
create table app.document_files (
  id bigserial primary key,
  content_type text not null,
  length bigint not null default 0,
  created_at timestamptz not null default now()
);

create table app.document_file_parts (
  file_id bigint not null references app.document_files (id) on delete cascade,
  part_no int not null,
  data bytea not null,
  primary key (file_id, part_no)
);

create table app.documents (
  id bigserial primary key,
  batch_id bigint,
  file_name text not null,
  format text not null,
  source_file_id bigint not null references app.document_files (id),
  languages text not null,
  profile text not null,
  description text,
  status text not null default 'processing' check (status in ('processing', 'valid', 'needs_review', 'failed')),
  page_count int,
  pages_done int not null default 0,
  -- The page whose OCR completed the document: its item (and only its) hands the document to the nlp stage, again
  -- on a retry of that item, so a crash between the commit and the engine's bookkeeping loses no document.
  completed_by_page int,
  language text,
  mean_confidence real,
  reasons jsonb not null default '[]',
  error text,
  searchable_pdf_file_id bigint references app.document_files (id),
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
create index documents_status on app.documents (status, id);
create index documents_batch on app.documents (batch_id);

create table app.document_pages (
  document_id bigint not null references app.documents (id) on delete cascade,
  page_no int not null,
  source text not null check (source in ('text_layer', 'image')),
  state text not null default 'pending' check (state in ('pending', 'done', 'failed')),
  image_file_id bigint references app.document_files (id),
  dpi int,
  skew real,
  text text,
  confidence real,
  timed_out boolean not null default false,
  tsv text,
  hocr text,
  pdf_file_id bigint references app.document_files (id),
  note text,
  error text,
  -- host:pid of the process that read the page (which host of a shared database did the work)
  processed_by text,
  primary key (document_id, page_no)
);

create table app.document_entities (
  document_id bigint not null references app.documents (id) on delete cascade,
  seq int not null,
  type text not null,
  value text not null,
  page_no int not null,
  start_offset int not null,
  length int not null,
  text text not null,
  key text,
  valid boolean,
  primary key (document_id, seq)
);
