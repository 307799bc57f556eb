import type { JsonSchema } from '../../src/forms/index.js';

/** The example schema the form tests share: every widget, a nested object, two kinds of list, a $ref. */
export const post: JsonSchema = {
  type: 'object',
  required: ['title', 'author'],
  properties: {
    title: { type: 'string', title: 'Title', description: 'Shown in the browser tab.', maxLength: 80 },
    body: { type: 'string', format: 'markdown', title: 'Body' },
    summary: { type: 'string', format: 'textarea' },
    notes: { type: 'string', maxLength: 2000 },
    email: { type: 'string', format: 'email' },
    website: { type: 'string', format: 'uri' },
    publishedOn: { type: 'string', format: 'date' },
    accent: { type: 'string', format: 'color', default: '#336699' },
    views: { type: 'integer', minimum: 0, maximum: 1000000 },
    rating: { type: 'number', minimum: 0, maximum: 5, multipleOf: 0.5 },
    featured: { type: 'boolean', title: 'Featured on the home page' },
    layout: { enum: ['wide', 'narrow'], 'x-enum-labels': ['Wide', 'Narrow'], default: 'wide' },
    category: { type: 'string', enum: ['news', 'howto', 'review', 'opinion', 'interview'] },
    priority: { type: 'integer', enum: [1, 2, 3] },
    author: {
      type: 'object',
      title: 'Author',
      required: ['name'],
      properties: { name: { type: 'string' }, twitterHandle: { type: 'string', pattern: '^@\\w+$', 'x-pattern-message': 'Start with @.' } },
    },
    tags: { type: 'array', items: { type: 'string', title: 'Tag' }, maxItems: 5 },
    images: { type: 'array', items: { $ref: '#/definitions/image' } },
  },
  definitions: {
    image: {
      type: 'object',
      title: 'Image',
      required: ['src'],
      properties: { src: { type: 'string', format: 'uri', title: 'Image URL' }, caption: { type: 'string' } },
    },
  },
};

/** A tree: each node has a label and children that are nodes again. */
export const tree: JsonSchema = { type: 'object', required: ['label'], properties: { label: { type: 'string' }, children: { type: 'array', items: { $ref: '#' } } } };

export const fullData = {
  title: 'Hello & welcome',
  body: '# Hi\n\nSome *text*.',
  summary: 'Short.',
  notes: 'Long notes',
  email: 'ann@example.com',
  website: 'https://example.com/',
  publishedOn: '2024-05-01',
  accent: '#112233',
  views: 42,
  rating: 4.5,
  featured: true,
  layout: 'narrow',
  category: 'review',
  priority: 2,
  author: { name: 'Ann', twitterHandle: '@ann' },
  tags: ['a', 'b & c'],
  images: [{ src: 'https://example.com/1.png', caption: 'One' }, { src: 'https://example.com/2.png' }],
};
